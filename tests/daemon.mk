# tests/daemon.mk: test rules (see tests/local.mk)
