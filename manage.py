#!/usr/bin/env python3
from stride.cli import main

if __name__ == "__main__":
    main()
