# daemon/worker: rules of this folder
