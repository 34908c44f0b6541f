# daemon/mediator: rules of this folder
