"""Never finishes importing: the import phase must end in a timeout, with a result."""
import time

while True:
    time.sleep(1)
