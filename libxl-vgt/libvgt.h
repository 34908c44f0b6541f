/* SPDX-License-Identifier: LGPL-2.1-only */
/* libvgt: everything xen-vgt knows without a hypervisor. */
#ifndef LIBVGT_H
#define LIBVGT_H
#include "vgt/error.h"
#include "vgt/profile.h"
#include "vgt/alloc.h"
#include "vgt/edid.h"
#include "vgt/monitor.h"
#include "vgt/config.h"
#include "vgt/proto.h"
#include "vgt/client.h"
#endif
