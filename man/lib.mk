# man/lib.mk: man_pods += man/xl-vgt.cfg.5.pod
man_pods += man/xl-vgt.cfg.5.pod
