#!/usr/bin/env python3
"""Write minimal ELF shared objects of both classes and byte orders.

Each is 1 KiB: one PT_LOAD mapping the whole file, PT_DYNAMIC, PT_INTERP,
a string table, DT_NEEDED x2, DT_SONAME, DT_RUNPATH, two Elf_Verneed (3
Elf_Vernaux) and three Elf_Verdef, the layout tests/unit/test_elf.c
builds.  They seed fuzz_elf, which could hardly reach the 32-bit and
big-endian paths from x86_64 libraries alone.

usage: mkimage.py DIR
"""
import os
import struct
import sys

BASE = 0x10000
STROFF, INTERPOFF, VNOFF, VDOFF, DYNOFF, SIZE = \
    0x100, 0x1e0, 0x200, 0x260, 0x300, 0x400
INTERP = b"/lib/ld-tlc.so.1\0"
STRS = [b"", b"libfoo.so.1", b"libc.so.6", b"libm.so.6", b"GLIBC_2.2.5",
        b"GLIBC_2.17", b"M_1.0", b"/opt/rp:$ORIGIN", b"FOO_1", b"FOO_2"]
MACHINE = {(64, "<"): 62, (64, ">"): 21, (32, "<"): 3, (32, ">"): 22}


def image(cls, bo):
    b = bytearray(SIZE)

    def put(off, fmt, *v):
        struct.pack_into(bo + fmt, b, off, *v)

    w = "Q" if cls == 64 else "I"
    ehsize, phsize, dynsize = (64, 56, 16) if cls == 64 else (52, 32, 8)
    b[0:7] = b"\x7fELF" + bytes([2 if cls == 64 else 1,
                                  1 if bo == "<" else 2, 1])
    put(16, "HHI", 3, MACHINE[cls, bo], 1)
    put(24, w * 3 + "I" + "H" * 6, 0, 0x40, 0, 0, ehsize, phsize, 3,
        64 if cls == 64 else 40, 0, 0)

    def phdr(i, typ, off, size, flags, align, vaddr=None):
        vaddr = BASE + off if vaddr is None else vaddr
        at = 0x40 + i * phsize
        if cls == 64:
            put(at, "IIQQQQQQ", typ, flags, off, vaddr, vaddr, size, size,
                align)
        else:
            put(at, "IIIIIIII", typ, off, vaddr, vaddr, size, size, flags,
                align)

    phdr(0, 1, 0, SIZE, 6, 0x1000, BASE)
    phdr(1, 2, DYNOFF, 11 * dynsize, 6, 8)
    phdr(2, 3, INTERPOFF, len(INTERP), 4, 1)
    b[INTERPOFF:INTERPOFF + len(INTERP)] = INTERP
    s, at = {}, 0
    for i, text in enumerate(STRS):
        s[i] = at
        b[STROFF + at:STROFF + at + len(text)] = text
        at += len(text) + 1
    strsz = at
    # Elf_Verneed: version, cnt, file, aux, next; Elf_Vernaux: hash,
    # flags, other, name, next
    put(VNOFF, "HHIII", 1, 2, s[2], 16, 0x30)
    put(VNOFF + 0x10, "IHHII", 0x1234, 0, 2, s[4], 16)
    put(VNOFF + 0x20, "IHHII", 0x1234, 0, 3, s[5], 0)
    put(VNOFF + 0x30, "HHIII", 1, 1, s[3], 16, 0)
    put(VNOFF + 0x40, "IHHII", 0x1234, 0, 4, s[6], 0)
    # Elf_Verdef: version, flags, ndx, cnt, hash, aux, next; Elf_Verdaux:
    # name, next
    for i, (flags, names, nxt) in enumerate([(1, [1], 28), (0, [8], 28),
                                             (0, [9, 8], 0)]):
        at = VDOFF + 28 * i
        put(at, "HHHHIII", 1, flags, i + 1, len(names), 0, 20, nxt)
        for j, name in enumerate(names):
            put(at + 20 + 8 * j, "II", s[name],
                8 if j + 1 < len(names) else 0)
    dyn = [(1, s[2]), (1, s[3]), (14, s[1]), (29, s[7]),
           (5, BASE + STROFF), (10, strsz), (0x6ffffffe, BASE + VNOFF),
           (0x6fffffff, 2), (0x6ffffffc, BASE + VDOFF), (0x6ffffffd, 3),
           (0, 0)]
    for i, (tag, val) in enumerate(dyn):
        put(DYNOFF + i * dynsize, w + w, tag, val)
    return bytes(b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for cls in (64, 32):
        for bo, name in (("<", "le"), (">", "be")):
            with open(os.path.join(out, f"image{cls}{name}.so"), "wb") as f:
                f.write(image(cls, bo))


if __name__ == "__main__":
    main()
