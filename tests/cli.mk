# tests/cli.mk: test rules (see tests/local.mk)
