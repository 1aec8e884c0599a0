#!/bin/sh
cat "$HELLO_HOME/greeting.txt"
echo "packages: $(ls "$HELLO_HOME/lib" | tr '\n' ' ')"
echo "running as $(id -un) in $(pwd)"
