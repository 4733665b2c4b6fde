package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// mismatch is the error for a value of the wrong kind.
func mismatch(n *yaml.Node, t reflect.Type, path string) error {
	want := expected(t)
	if n.Kind != yaml.ScalarNode {
		return &Error{Line: n.Line, Err: fmt.Errorf("%s: expected %s, not %s", orTop(path), want, describe(n))}
	}
	msg := fmt.Sprintf("%s: %s is not %s", orTop(path), describe(n), want)
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && scalarFits(&yaml.Node{Kind: yaml.ScalarNode, Value: n.Value}, t):
		msg += ": remove the quotes"
	case t.Kind() == reflect.Slice && scalarFits(n, t.Elem()):
		msg += fmt.Sprintf(": write it as a list, e.g. [%s]", n.Value)
	}
	return &Error{Line: n.Line, Err: errors.New(msg)}
}

// expected names what a Go type holds, in words.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return expected(t.Elem())
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice, reflect.Array:
		return "a list of " + plural(t.Elem())
	}
	return "a value"
}

func plural(t reflect.Type) string {
	switch w := expected(t); w {
	case "text":
		return "strings"
	case "true or false":
		return "true/false values"
	case "a whole number":
		return "whole numbers"
	case "a number":
		return "numbers"
	case "a mapping":
		return "mappings"
	default:
		if rest, ok := strings.CutPrefix(w, "a list of "); ok {
			return "lists of " + rest
		}
		return "values"
	}
}

// describe names a node for a message: its text, quoted, or its kind.
func describe(n *yaml.Node) string {
	switch deref(n).Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if isNull(deref(n)) {
		return "empty"
	}
	v := deref(n).Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

func unknownField(name, path string, fields map[string]field) error {
	where := ""
	if path != "" {
		where = " in " + path
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	if s := closest(name, names); s != "" {
		return fmt.Errorf("unknown field %q%s (did you mean %s?)", name, where, s)
	}
	return fmt.Errorf("unknown field %q%s: use %s", name, where, orList(fieldOrder(fields)))
}

// fieldOrder lists the field names in declaration order.
func fieldOrder(fields map[string]field) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return slices.Compare(fields[a].index, fields[b].index) })
	return names
}

func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// closest is the known name a mistyped one most likely meant: the same name
// in another case, or one at most two edits away; "" when none is close.
func closest(name string, known []string) string {
	sort.Strings(known)
	best, bestDist := "", min(2, max(1, len(name)/3))+1
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var simpleKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// join appends a key to a field path: a.b, or a["b c"] for keys that are not
// simple names.
func join(path, key string) string {
	if !simpleKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func orTop(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}
