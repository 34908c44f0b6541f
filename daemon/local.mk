# daemon: vgtd (manager), its per-guest workers, the mediator and vgt-replay.
