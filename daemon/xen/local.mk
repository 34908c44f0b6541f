# daemon/xen: rules of this folder
