# man: rules of this folder (included by the top Makefile.am)
