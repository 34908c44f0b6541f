# daemon: the mediator (software vGPU model), the Xen glue and worker, the manager vgtd.
include daemon/mediator/local.mk
include daemon/xen/local.mk
include daemon/worker/local.mk
include daemon/manager/local.mk
