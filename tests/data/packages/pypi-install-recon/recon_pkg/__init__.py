"""Import-time behaviour for the import phase: leave a file in /tmp."""

with open("/tmp/recon-pkg-imported", "w") as marker:
    marker.write("imported")
