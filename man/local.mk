# man: pages written in POD (man/NAME.SECTION.pod), turned into roff with pod2man.
man_pods =
include man/lib.mk
include man/manager.mk
include man/front.mk
man_MANS = $(man_pods:.pod=)
EXTRA_DIST += $(addprefix $(srcdir)/,$(man_pods))
CLEANFILES += $(man_MANS)
%.1: %.1.pod
	@mkdir -p $(@D); pod2man --section=1 --center="xen-vgt" --release="$(VERSION)" --name=$(notdir $*) $< > $@
%.5: %.5.pod
	@mkdir -p $(@D); pod2man --section=5 --center="xen-vgt" --release="$(VERSION)" --name=$(notdir $*) $< > $@
%.8: %.8.pod
	@mkdir -p $(@D); pod2man --section=8 --center="xen-vgt" --release="$(VERSION)" --name=$(notdir $*) $< > $@
