#!/bin/sh
echo "backing up to ${BUCKET} ($*)"
