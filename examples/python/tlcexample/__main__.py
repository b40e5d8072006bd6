"""`python -m tlcexample`: what is installed and what it can use."""
import tlcexample


def main():
    print("tlcexample", tlcexample.__version__)
    print("  package:  ", tlcexample.__path__[0])
    print("  native:   ", tlcexample.native_version(), "(%d OpenMP threads)"
          % tlcexample.num_threads())
    print("  cuda:     ", tlcexample.cuda.status())
    print("  dot([1, 2], [3, 4]) =", tlcexample.dot([1, 2], [3, 4]))


if __name__ == "__main__":
    main()
