# libvgt: client library of vgtd's control protocol.
