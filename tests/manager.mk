# tests/manager.mk: test rules (see tests/local.mk)
