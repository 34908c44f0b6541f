# tests/lib.mk: test rules (see tests/local.mk)
