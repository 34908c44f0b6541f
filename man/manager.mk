# man/manager.mk: vgtd and its configuration (include from man/local.mk).
man_pods += man/vgtd.8.pod man/vgtd.conf.5.pod
