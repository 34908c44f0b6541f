# tests/model.mk: test rules (see tests/local.mk)
