# tests/opregion.mk: test rules (see tests/local.mk)
