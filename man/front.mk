# man/front.mk: the xl front and vgtd's control protocol (include from man/local.mk).
man_pods += man/xl-vgt.1.pod man/vgtd-protocol.7.pod
%.7: %.7.pod
	@mkdir -p $(@D); pod2man --section=7 --center="xen-vgt" --release="$(VERSION)" --name=$(notdir $*) $< > $@
