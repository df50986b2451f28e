"""Running a package inside a gVisor container: the daemon, the images, the phases, the limits."""
