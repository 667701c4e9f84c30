#!/bin/sh
# Uploaded and run by server.script in the example deploy.
exit 0
