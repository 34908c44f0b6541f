# tests/worker.mk: test rules (see tests/local.mk)
