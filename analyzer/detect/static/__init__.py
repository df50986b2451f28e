"""Static scan: a package's files read as data, never run (`scan.scan_package`); one module
per scanner, each declaring what it reads and the signal kinds it emits (`interface`)."""
