// Package layout is the binary layout of one shared-memory ring file: a
// header page followed by the ring's regions, and the code that writes the
// header and validates it before anything in the file is trusted.
//
// # File
//
// A ring file is, in order (every region offset is a multiple of 128 bytes,
// so each region starts on its own pair of cache lines; the slots region is
// aligned to max(128, SlotAlign)):
//
//	header     4096 bytes, described below
//	control    ControlSize bytes: the producer side's shared words (the
//	           engine's control block and the producer table)
//	consumers  MaxConsumers entries of ConsumerEntrySize bytes each
//	avail      the per-slot sequence words: a MarkSize-byte marker word a
//	           slot (holes, flushes and EOFs live here, not in the slots),
//	           then, in multi-producer mode, an 8-byte availability word a slot
//	counters   CountersSize bytes: the participants' counter records, one a
//	           consumer entry, then one a producer table entry
//	apps       AppsSize bytes: the application counter sets' records
//	stamps     with PublishTimes, Capacity 8-byte words: each slot's
//	           publication time in unix nanoseconds; otherwise empty (size 0,
//	           at the end of apps rounded up to 128)
//	slots      Capacity slots of SlotSize bytes each: the events, dense
//
// and the file size is the end of the slots rounded up to 4096 bytes. Plan
// computes all of this from Params with overflow-checked arithmetic.
//
// # Header
//
// All header fields are little-endian at fixed offsets, except the
// endianness marker and the state word, which are written in the creator's
// native byte order (the state word is an atomic word; the marker exists to
// show the order). The first 20 bytes (magic, version, marker, state) keep
// their offsets in every future version, so any reader can tell a newer
// file, a foreign file and a file still being created apart.
//
//	off  size  field
//	  0     8  magic "DISRUPT\x00"
//	  8     4  layout version (Version)
//	 12     4  endianness marker 0x01020304, native order
//	 16     4  state: 0 blank, StateCreating, StateReady (native, atomic)
//	 20     4  flags: bit 0 multi-producer, bit 1 publication times (the
//	           stamps region is there), bit 2 full barriers (publishers
//	           store with full barriers, waiters park with no barrier);
//	           other bits zero
//	 24     8  capacity, in slots (power of two, 2..2^30)
//	 32     8  slot size, bytes (1..1 MiB, a multiple of slot align)
//	 40     8  slot align, bytes (power of two, 1..4096)
//	 48     8  max consumers (1..4096)
//	 56     8  consumer entry size, bytes (multiple of 128)
//	 64     8  control block size, bytes (multiple of 128)
//	 72     8  counters area size, bytes (multiple of 128, may be 0)
//	 80     8  application counters size, bytes (multiple of 128, may be 0)
//	 88     8  instance id: random, non-zero, new for every creation
//	 96     8  creation time, unix nanoseconds
//	104     8  creator pid
//	112     8  event type size, bytes
//	120     8  event type align, bytes
//	128     8  event type layout hash
//	136     4  event type name length (1..64)
//	140    64  event type name, zero padded
//	204     4  reserved, zero
//	208    16  control region: offset, size
//	224    16  consumers region: offset, size
//	240    16  avail region: offset, size
//	256    16  counters region: offset, size
//	272    16  apps region: offset, size
//	288    16  stamps region: offset, size (0 without publication times)
//	304    16  slots region: offset, size
//	320     8  file size, bytes
//	328     4  checksum: CRC-32C of the 4096-byte page with the state
//	           and checksum fields taken as zero
//	332     4  event type layout description length (0..3072)
//	336  3072  event type layout description, zero padded: one line a
//	           field, "path kind @offset size", for messages only
//	3408  688  reserved, zero
//
// Decode accepts the region table only if it is exactly what Plan gives
// for the parameters, and, on its own terms, in file order, aligned,
// after the header, without overlap and inside the file: a header cannot
// make one region cover another or reach past the end of the file.
//
// Every field but the state word is immutable once written, so the checksum
// covers them all, reserved bytes included.
//
// # Creation and attachment
//
// A creator sizes the file, calls Encode (which writes the state as
// StateCreating), initialises the regions, and only then stores StateReady
// through StateWord. An attacher calls Decode, which loads the state word
// first (atomically when the buffer is a mapping) and answers
// ErrNotInitialized until the creator has finished; it then copies the page
// once and validates the copy field by field, so a hostile writer changing
// the file concurrently cannot make validation and use disagree. Decode never
// panics: every inconsistency is an error wrapping exactly one sentinel.
package layout
