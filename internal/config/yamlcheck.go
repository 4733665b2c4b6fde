package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// checker walks a YAML node tree against a Go type through the type's json
// tags, which is how sigs.k8s.io/yaml decodes it, and reports the first
// problem in document order with its line and field path: a value of the
// wrong kind, an unknown field, a key set twice, or a plain scalar that YAML
// reads as something other than the text written (3.10 as 3.1, no as false).
// lines records the line of every field path seen, for Validate's errors.
type checker struct {
	seen  map[visit]bool
	lines map[string]int
}

type visit struct {
	n *yaml.Node
	t reflect.Type
}

func newChecker() *checker {
	return &checker{seen: map[visit]bool{}, lines: map[string]int{}}
}

// checkRoot checks the whole document against Config. decoded is the result
// of decoding it (invalid when decoding failed), used to catch plain scalars
// whose decoded text differs from what was written.
func (c *checker) checkRoot(n *yaml.Node, t reflect.Type, decoded reflect.Value) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode && !isNull(n) {
		return &Error{Line: n.Line, Err: fmt.Errorf("the file must be a mapping of settings (app:, environments:, ...), not %s", describe(n))}
	}
	return c.check(n, t, decoded, "")
}

func (c *checker) check(n *yaml.Node, t reflect.Type, v reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode {
		n = deref(n)
		v = reflect.Value{} // an alias is checked once per type, not per use
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v.IsValid() {
			v = v.Elem()
		}
	}
	key := visit{n, t}
	if c.seen[key] {
		return nil
	}
	c.seen[key] = true
	if isNull(n) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if n.Kind != yaml.MappingNode {
			return mismatch(n, t, path)
		}
		return c.checkMapping(n, t, v, path)
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return mismatch(n, t, path)
		}
		for i, item := range n.Content {
			c.lines[fmt.Sprintf("%s[%d]", path, i)] = item.Line
			var iv reflect.Value
			if v.IsValid() && i < v.Len() {
				iv = v.Index(i)
			}
			if err := c.check(item, t.Elem(), iv, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		return nil
	}
	if n.Kind != yaml.ScalarNode || !scalarFits(n, t) {
		return mismatch(n, t, path)
	}
	if t.Kind() == reflect.String && v.IsValid() && isPlain(n) && v.String() != n.Value {
		return &Error{Line: n.Line, Err: fmt.Errorf("%s: %s is read as %q: write it in quotes (%q) to keep it as written", path, n.Value, v.String(), n.Value)}
	}
	return nil
}

// checkMapping checks a mapping node against a struct or a map[string]T.
func (c *checker) checkMapping(n *yaml.Node, t reflect.Type, v reflect.Value, path string) error {
	var fields map[string]field
	if t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	}
	keys := keySources{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			for _, name := range mergedKeys(val, map[*yaml.Node]bool{}) {
				if err := keys.add(path, name, keySource{line: k.Line, merged: true}); err != nil {
					return err
				}
			}
			if err := c.checkMerge(val, t, path); err != nil {
				return err
			}
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return &Error{Line: k.Line, Err: fmt.Errorf("%s: a key must be a name, not %s", orTop(path), describe(k))}
		}
		name := k.Value
		if err := keys.add(path, name, keySource{line: k.Line}); err != nil {
			return err
		}
		c.lines[join(path, name)] = k.Line
		if t.Kind() == reflect.Map {
			var mv reflect.Value
			if v.IsValid() && t.Key().Kind() == reflect.String {
				mv = v.MapIndex(reflect.ValueOf(name).Convert(t.Key()))
				if !mv.IsValid() && isPlain(k) {
					return &Error{Line: k.Line, Err: fmt.Errorf("%s: the key %s is read as %s: write it in quotes (%q) to keep it as written", orTop(path), name, readAs(k), name)}
				}
			}
			if err := c.check(val, t.Elem(), mv, join(path, name)); err != nil {
				return err
			}
			continue
		}
		f, ok := fields[name]
		if !ok {
			return &Error{Line: k.Line, Err: unknownField(name, path, fields)}
		}
		var fv reflect.Value
		if v.IsValid() {
			fv, _ = v.FieldByIndexErr(f.index)
		}
		if err := c.check(val, f.typ, fv, join(path, name)); err != nil {
			return err
		}
	}
	return nil
}

// keySource is where a mapping's key is set: on its own line, or by a <<
// merge.
type keySource struct {
	line   int
	merged bool
}

func (s keySource) String() string {
	if s.merged {
		return fmt.Sprintf("by the << merge on line %d", s.line)
	}
	return fmt.Sprintf("on line %d", s.line)
}

type keySources map[string]keySource

// add records a key of the mapping at path; a key set twice is an error
// (sigs.k8s.io/yaml refuses one, even when a << merge brought the first).
func (ks keySources) add(path, name string, src keySource) error {
	first, dup := ks[name]
	ks[name] = src
	switch {
	case !dup:
		return nil
	case !first.merged && !src.merged && first.line == src.line:
		return &Error{Line: src.line, Err: fmt.Errorf("%s is set twice on this line: keep one", join(path, name))}
	case !first.merged && !src.merged:
		return &Error{Line: src.line, Err: fmt.Errorf("%s is set twice (lines %d and %d): keep one", join(path, name), first.line, src.line)}
	case first == src:
		return &Error{Line: src.line, Err: fmt.Errorf("%s is set by more than one mapping the << merge brings in: keep one", join(path, name))}
	}
	return &Error{Line: src.line, Err: fmt.Errorf("%s is set %s and again %s: keep one (a key merged with << cannot be set again)", join(path, name), first, src)}
}

// mergedKeys lists the keys a << merge brings in: those of the mapping (or
// mappings) it names, and of their own merges.
func mergedKeys(n *yaml.Node, seen map[*yaml.Node]bool) []string {
	n = deref(n)
	if seen[n] {
		return nil
	}
	seen[n] = true
	var names []string
	switch n.Kind {
	case yaml.SequenceNode:
		for _, item := range n.Content {
			names = append(names, mergedKeys(item, seen)...)
		}
	case yaml.MappingNode:
		own := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if k.ShortTag() == "!!merge" {
				for _, name := range mergedKeys(n.Content[i+1], seen) {
					if !own[name] {
						own[name] = true
						names = append(names, name)
					}
				}
				continue
			}
			if !own[k.Value] {
				own[k.Value] = true
				names = append(names, k.Value)
			}
		}
	}
	return names
}

// checkMerge checks the value of a << merge key: a mapping, or a list of them,
// merged into the mapping at path.
func (c *checker) checkMerge(n *yaml.Node, t reflect.Type, path string) error {
	n = deref(n)
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if err := c.checkMerge(item, t, path); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &Error{Line: n.Line, Err: fmt.Errorf("%s: << must merge a mapping, not %s", orTop(path), describe(n))}
	}
	// Merged values may be overridden, so they are not compared with the decoded ones.
	return c.check(n, t, reflect.Value{}, path)
}

// field is a struct field as JSON sees it.
type field struct {
	index []int
	typ   reflect.Type
}

// fieldsOf lists t's fields by their json names, as encoding/json does:
// untagged fields by their Go name, embedded structs inlined, "-" skipped.
func fieldsOf(t reflect.Type) map[string]field {
	out := map[string]field{}
	var add func(t reflect.Type, index []int)
	add = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" || (!sf.IsExported() && !sf.Anonymous) {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
				add(sf.Type, idx)
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if _, ok := out[name]; !ok {
				out[name] = field{index: idx, typ: sf.Type}
			}
		}
	}
	add(t, nil)
	return out
}

var leadingPath = regexp.MustCompile(`^[A-Za-z0-9_.\[\]-]+`)

// lineOf is the line of the field an error message starts with (Validate's
// messages begin with the field path, e.g. "environments.dev.replicas: ..."),
// or of its nearest parent found in the file; 0 when there is none.
func (c *checker) lineOf(msg string) int {
	p := leadingPath.FindString(msg)
	for p != "" {
		if l, ok := c.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return 0
		}
		p = p[:i]
	}
	return 0
}
