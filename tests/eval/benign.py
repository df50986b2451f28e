"""The benign corpus: popular packages, pinned, fetched from the registries when the
evaluation runs (its raw results are cached with the rest, under OUT/raw)."""

from __future__ import annotations

from tests.eval.ordinary import ORDINARY

# Popular packages, pinned. PyPI targets resolve to the sdist when there is one (setup.py
# and C extensions built with gcc); the npm ones include real install scripts.
BENIGN = (
    # PyPI: pure Python, setup.py sdists, C extensions, and names that look alarming
    "pypi:requests==2.32.3", "pypi:urllib3==2.2.3", "pypi:six==1.16.0", "pypi:idna==3.10",
    "pypi:certifi==2024.8.30", "pypi:charset-normalizer==3.4.0",
    "pypi:python-dateutil==2.9.0.post0", "pypi:PyYAML==6.0.2", "pypi:click==8.1.7",
    "pypi:packaging==24.1", "pypi:attrs==24.2.0", "pypi:Jinja2==3.1.4", "pypi:MarkupSafe==2.1.5",
    "pypi:simplejson==3.19.3", "pypi:wrapt==1.16.0", "pypi:pytz==2024.2", "pypi:tqdm==4.66.5",
    "pypi:colorama==0.4.6", "pypi:toml==0.10.2", "pypi:termcolor==2.4.0",
    "pypi:docutils==0.21.2", "pypi:psutil==6.0.0", "pypi:pycparser==2.22",
    "pypi:tabulate==0.9.0", "pypi:filelock==3.16.1", "pypi:platformdirs==4.3.6",
    "pypi:pyparsing==3.1.4", "pypi:paramiko==3.5.0", "pypi:discord.py==2.4.0",
    "pypi:pyngrok==7.2.0", "pypi:python-dotenv==1.0.1",
    # npm: install scripts (postinstall banners, native builds, binary downloads) and staples
    "npm:core-js@3.38.1", "npm:esbuild@0.23.1", "npm:husky@4.3.8", "npm:bufferutil@4.0.8",
    "npm:utf-8-validate@6.0.4", "npm:nodemon@2.0.22", "npm:sharp@0.33.5",
    "npm:protobufjs@7.4.0", "npm:@sentry/cli@2.36.1", "npm:better-sqlite3@11.3.0",
    "npm:puppeteer@23.4.0", "npm:lodash@4.17.21", "npm:express@4.21.0", "npm:react@18.3.1",
    "npm:chalk@5.3.0", "npm:axios@1.7.7", "npm:typescript@5.6.2", "npm:commander@12.1.0",
    "npm:debug@4.3.7", "npm:ws@8.18.0", "npm:uuid@10.0.0", "npm:dotenv@16.4.5",
    "npm:moment@2.30.1",
)
# More popular packages, kept out of rule tuning: a check that BENIGN was not overfitted.
HELD_OUT = (
    "pypi:PyJWT==2.9.0", "pypi:rich==13.8.1", "pypi:Pygments==2.18.0", "pypi:Flask==3.0.3",
    "pypi:Werkzeug==3.0.4", "pypi:cffi==1.17.1", "pypi:pexpect==4.9.0",
    "pypi:python-telegram-bot==21.6", "pypi:slack_sdk==3.33.1", "pypi:sentry-sdk==2.14.0",
    "pypi:boto3==1.35.24", "pypi:keyring==25.4.1",
    "npm:sqlite3@5.1.7", "npm:bcrypt@5.1.1", "npm:@swc/core@1.7.26", "npm:@prisma/client@5.20.0",
    "npm:electron@32.1.2", "npm:cypress@13.15.0", "npm:ngrok@5.0.0-beta.2", "npm:nx@19.8.0",
)
# HELD_OUT, FRESH, LAST, UNSEEN and FINAL were each measured once before any tuning on
# them, and then informed the rules (FINAL only through two changes that follow the
# scanner's semantics: only setup.py itself is run by pip, and a process setup.py starts
# is no install hook). What each showed first is in the notes.
FRESH = (
    "pypi:httpx==0.27.2", "pypi:pydantic==2.9.2", "pypi:GitPython==3.1.43",
    "pypi:requests-toolbelt==1.0.0", "pypi:ujson==5.10.0", "pypi:pyOpenSSL==24.2.1",
    "pypi:websocket-client==1.8.0", "pypi:redis==5.0.8", "pypi:selenium==4.25.0",
    "npm:node-gyp@10.2.0", "npm:msw@2.4.9", "npm:vue@3.5.8", "npm:webpack@5.95.0",
    "npm:socket.io@4.8.0", "npm:jsonwebtoken@9.0.2", "npm:yarn@1.22.22", "npm:pm2@5.4.2",
    "npm:argon2@0.41.1", "npm:keytar@7.9.0",
)
LAST = (
    "pypi:SQLAlchemy==2.0.35", "pypi:Markdown==3.7", "pypi:pluggy==1.5.0",
    "pypi:iniconfig==2.0.0", "pypi:decorator==5.1.1", "pypi:greenlet==3.1.1",
    "pypi:pyasn1==0.6.1", "pypi:rsa==4.9", "pypi:oauthlib==3.2.2", "pypi:jmespath==1.0.1",
    "pypi:isodate==0.6.1", "pypi:mccabe==0.7.0",
    "npm:node-fetch@3.3.2", "npm:yargs@17.7.2", "npm:glob@11.0.0", "npm:semver@7.6.3",
    "npm:prettier@3.3.3", "npm:eslint@9.11.1", "npm:@parcel/watcher@2.4.1",
    "npm:deasync@0.1.30", "npm:nodemailer@6.9.15", "npm:node-pty@1.0.0",
)
UNSEEN = (
    "pypi:pyflakes==3.2.0", "pypi:pycodestyle==2.12.1", "pypi:itsdangerous==2.2.0",
    "pypi:blinker==1.8.2", "pypi:cachetools==5.5.0", "pypi:pyrsistent==0.20.0",
    "pypi:msgpack==1.1.0", "pypi:frozenlist==1.4.1", "pypi:yarl==1.13.1",
    "pypi:multidict==6.1.0", "pypi:regex==2024.9.11", "pypi:setproctitle==1.3.3",
    "npm:classnames@2.5.1", "npm:minimist@1.2.8", "npm:rxjs@7.8.1", "npm:date-fns@4.1.0",
    "npm:zod@3.23.8", "npm:@babel/core@7.25.2", "npm:sass@1.79.3", "npm:node-addon-api@8.1.0",
    "npm:dtrace-provider@0.8.8", "npm:cpu-features@0.0.10", "npm:ssh2@1.16.0",
)
FINAL = (
    "pypi:pyserial==3.5", "pypi:toolz==0.12.1", "pypi:sortedcontainers==2.4.0",
    "pypi:more-itertools==10.5.0", "pypi:zipp==3.20.2", "pypi:Babel==2.16.0",
    "pypi:pycryptodome==3.21.0", "pypi:lz4==4.3.3", "pypi:watchdog==5.0.3",
    "pypi:xmltodict==0.13.0",
    "npm:bluebird@3.7.2", "npm:async@3.2.6", "npm:body-parser@1.20.3", "npm:jquery@3.7.1",
    "npm:three@0.168.0", "npm:leveldown@6.1.1", "npm:grpc-tools@1.12.4",
    "npm:playwright-core@1.47.2", "npm:node-notifier@10.0.1",
)
# Honest packages named close to a popular one by design: the typosquat check must not
# turn them malicious.
LOOKALIKE = (
    "pypi:pyaml==24.7.0", "pypi:boto==2.49.0", "pypi:types-requests==2.32.0.20240914",
    "pypi:requests-mock==1.12.1", "pypi:requests-oauthlib==2.0.0", "pypi:python-jose==3.3.0",
    "pypi:pytest-mock==3.14.0", "pypi:jsonschema-specifications==2023.12.1",
    "npm:preact@10.24.0", "npm:lodash-es@4.17.21", "npm:lodash.merge@4.6.2",
    "npm:react-dom@18.3.1", "npm:cross-env@7.0.3", "npm:@types/node@22.7.4",
    "npm:chalk-template@1.1.0", "npm:node-fetch-native@1.6.4",
)
GROUPS: dict[str, tuple[str, ...]] = {
    "benign": BENIGN, "heldout": HELD_OUT, "fresh": FRESH, "last": LAST, "unseen": UNSEEN,
    "final": FINAL, "lookalike": LOOKALIKE, "ordinary": ORDINARY,
}
# The quick run (CI): setup.py sdists, a C extension, a wheel, npm install scripts.
QUICK = (
    "pypi:six==1.16.0", "pypi:PyYAML==6.0.2", "pypi:simplejson==3.19.3",
    "pypi:python-dotenv==1.0.1", "pypi:pyaml==24.7.0",
    "npm:husky@4.3.8", "npm:esbuild@0.23.1", "npm:core-js@3.38.1", "npm:lodash-es@4.17.21",
)
TITLES = {"benign": "POPULAR PACKAGES", "heldout": "HELD-OUT POPULAR PACKAGES",
          "fresh": "FRESH POPULAR PACKAGES", "last": "LAST POPULAR PACKAGES",
          "unseen": "UNSEEN POPULAR PACKAGES", "final": "FINAL POPULAR PACKAGES",
          "lookalike": "LOOK-ALIKE NAMES BY DESIGN",
          "ordinary": "ORDINARY RECENT RELEASES (random draw)"}
