# daemon/manager: rules of this folder
