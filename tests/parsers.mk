# tests/parsers.mk: test rules (see tests/local.mk)
