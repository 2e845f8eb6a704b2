// Package typecheck decides whether an event type may live in memory shared
// between processes, and identifies its layout so that processes built from
// different definitions of a type refuse to share a ring.
//
// A shareable type is fixed-size and pointer-free all the way down: bool,
// the sized and unsized integer kinds (int, int8, ..., uint64), floats and
// complex numbers, and arrays and structs of those. A pointer means nothing
// in another process's address space, and the garbage collector cannot see
// pointers stored in a mapping, so strings, slices, maps, pointers,
// unsafe.Pointer, interfaces, channels and funcs are refused. So is uintptr:
// it is pointer-free to the collector, but it almost always holds an address,
// which is meaningless in another process.
package typecheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"reflect"
	"unicode/utf8"
)

// ErrNotShareable is wrapped by every error of Check.
var ErrNotShareable = errors.New("typecheck: type not shareable across processes")

// Error is Check's error: where in the type the problem is, and what it is.
type Error struct {
	Path   string // the offending field, e.g. "Order.Legs[0].Symbol"
	Reason string // e.g. "string holds a pointer"
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Unwrap returns ErrNotShareable.
func (e *Error) Unwrap() error { return ErrNotShareable }

// MaxNameLen bounds the names Identity returns, in bytes.
const MaxNameLen = 64

// Check reports whether values of t may be placed in shared memory. The
// error, an *Error wrapping ErrNotShareable, names the first offending field
// by its path from t, like "Order.Legs[0].Symbol: string holds a pointer".
func Check(t reflect.Type) error {
	if t == nil {
		return &Error{Path: "<nil>", Reason: "no type"}
	}
	return check(t, rootName(t))
}

func check(t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return nil
	case reflect.Array:
		// Checked even when the length is zero: [0]*T has no pointer
		// bytes, but nothing good comes of it in shared memory.
		return check(t.Elem(), path+"[0]")
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if err := check(f.Type, path+"."+f.Name); err != nil {
				return err
			}
		}
		return nil
	case reflect.Uintptr:
		return &Error{Path: path, Reason: describe(t) + " holds an address, meaningless in another process"}
	case reflect.String, reflect.Slice, reflect.Map, reflect.Pointer, reflect.UnsafePointer,
		reflect.Interface, reflect.Chan, reflect.Func:
		return &Error{Path: path, Reason: describe(t) + " holds a pointer"}
	}
	return &Error{Path: path, Reason: fmt.Sprintf("%s has unsupported kind %s", describe(t), t.Kind())}
}

// describe names a type for messages: "[]int", or for a defined type
// whose name hides its kind, "pkg.Name (a string)".
func describe(t reflect.Type) string {
	if t.Name() == "" || t.PkgPath() == "" || t.String() == t.Kind().String() {
		return t.String() // unnamed, predeclared, or unsafe.Pointer
	}
	kind := "a " + t.Kind().String()
	switch t.Kind() {
	case reflect.Pointer:
		kind = "a pointer"
	case reflect.Interface, reflect.UnsafePointer:
		kind = "an " + t.Kind().String()
	}
	return t.String() + " (" + kind + ")"
}

// rootName is how a path starts: the type's own name if it has one, as in
// "Order.Legs", or else its full description.
func rootName(t reflect.Type) string {
	if n := t.Name(); n != "" && t.PkgPath() != "" && t.Kind() != reflect.UnsafePointer {
		return n
	}
	return t.String()
}

// Identity returns what a ring file records about its event type: a name
// for people (t.String(), cut to MaxNameLen bytes at a character
// boundary), t's size and alignment, and a 64-bit FNV-1a hash of its
// recursive layout. The hash covers, for t and every field and array
// element inside it, the kind, size and alignment, and for structs each
// field's name and offset, and for arrays the length. It does not cover
// type names, so renaming a type keeps its identity hash, while renaming,
// reordering, resizing or retyping any field changes it. Identity works on
// any type (it does not descend through pointers), but only types Check
// accepts belong in shared memory.
func Identity(t reflect.Type) (name string, size, align uintptr, hash uint64) {
	h := fnv.New64a()
	writeLayout(h, t)
	return truncate(t.String(), MaxNameLen), t.Size(), uintptr(t.Align()), h.Sum64()
}

// writeLayout encodes t's layout unambiguously: every variable-length
// part is length-prefixed and every node starts with its kind.
func writeLayout(h hash.Hash64, t reflect.Type) {
	num := func(v uint64) {
		var b [binary.MaxVarintLen64]byte
		h.Write(b[:binary.PutUvarint(b[:], v)])
	}
	str := func(s string) {
		num(uint64(len(s)))
		h.Write([]byte(s))
	}
	num(uint64(t.Kind()))
	num(uint64(t.Size()))
	num(uint64(t.Align()))
	switch t.Kind() {
	case reflect.Array:
		num(uint64(t.Len()))
		writeLayout(h, t.Elem())
	case reflect.Struct:
		num(uint64(t.NumField()))
		for i := range t.NumField() {
			f := t.Field(i)
			str(f.Name)
			num(uint64(f.Offset))
			writeLayout(h, f.Type)
		}
	}
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Describe returns t's layout as Identity's hash covers it, for messages:
// one line for each field, array element and nested field inside t, in
// order, as "path kind @offset size" with offsets from the start of t, as
// in "Legs[0].Qty int64 @24 8". Arrays describe their first element. Type
// names do not appear, only kinds, so two types with one layout have one
// description.
func Describe(t reflect.Type) string {
	var b []byte
	describeInto(&b, t, "", 0)
	return string(b)
}

func describeInto(b *[]byte, t reflect.Type, path string, base uintptr) {
	switch t.Kind() {
	case reflect.Array:
		if t.Len() > 0 {
			describeNode(b, t.Elem(), path+"[0]", base)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			describeNode(b, f.Type, p, base+f.Offset)
		}
	}
}

func describeNode(b *[]byte, t reflect.Type, path string, off uintptr) {
	if len(*b) > 0 {
		*b = append(*b, '\n')
	}
	*b = fmt.Appendf(*b, "%s %s @%d %d", path, kindOf(t), off, t.Size())
	describeInto(b, t, path, off)
}

// kindOf spells t's shape without type names: "int64", "[4]uint64",
// "struct".
func kindOf(t reflect.Type) string {
	if t.Kind() == reflect.Array {
		return fmt.Sprintf("[%d]%s", t.Len(), kindOf(t.Elem()))
	}
	return t.Kind().String()
}
