# tests/model.mk: the software vGPU model (daemon/mediator): unit, golden replay, fuzz.
model_unit_tests = tests/unit/test-model-pci tests/unit/test-model-regs \
	tests/unit/test-model-gtt tests/unit/test-model-display
unit_tests += $(model_unit_tests)
EXTRA_DIST += tests/unit/test-model.h
tests_unit_test_model_pci_SOURCES = tests/unit/test-model-pci.c
tests_unit_test_model_pci_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_regs_SOURCES = tests/unit/test-model-regs.c
tests_unit_test_model_regs_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_gtt_SOURCES = tests/unit/test-model-gtt.c
tests_unit_test_model_gtt_LDADD = daemon/mediator/libmediator.la
tests_unit_test_model_display_SOURCES = tests/unit/test-model-display.c
tests_unit_test_model_display_LDADD = daemon/mediator/libmediator.la

# Golden traces of vgt-replay: tests/golden/replay/*.trace -> expected/.
TESTS += tests/golden/replay/run.sh
EXTRA_DIST += tests/golden/replay

# libFuzzer target of the model (its sources built with the fuzzer).
fuzz_targets += fuzz-model
tests/fuzz/fuzz-model: $(srcdir)/tests/fuzz/fuzz-model.c $(addprefix $(srcdir)/,$(mediator_c_sources))
	$(FUZZ_BUILD) -o $@ $^
EXTRA_DIST += tests/fuzz/fuzz-model.c tests/fuzz/seeds/fuzz-model
CLEANFILES += tests/fuzz/fuzz-model
