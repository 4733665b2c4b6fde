package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// Object is one Kubernetes object from a rendered manifest: the header
// fields onepipe reads, the whole object as decoded JSON, and where it came from.
type Object struct {
	APIVersion string
	Kind       string
	Metadata   Metadata
	// Raw is the whole object (maps, slices, strings, bools, json.Number, nil).
	Raw map[string]any
	// Source is the template file and Line the object's first line in its
	// rendered output.
	Source string
	Line   int
}

// Metadata is the part of an object's metadata onepipe reads.
type Metadata struct {
	Name      string
	Namespace string
	Labels    map[string]string
}

// String names the object as kubectl does: Kind/name.
func (o Object) String() string { return o.Kind + "/" + o.Metadata.Name }

// Label returns the value of label k, or "".
func (o Object) Label(k string) string { return o.Metadata.Labels[k] }

// YAML is the object as a YAML document.
func (o Object) YAML() ([]byte, error) {
	b, err := yaml.Marshal(o.Raw)
	if err != nil {
		return nil, fmt.Errorf("marshal %s from %s: %w", o, o.Source, err)
	}
	return b, nil
}

// Marshal joins objects into one multi-document YAML stream, each document
// preceded by a comment naming its source file.
func Marshal(objs []Object) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := o.YAML()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "# Source: %s\n", o.Source)
		b.Write(y)
	}
	return b.Bytes(), nil
}

// docSep matches a YAML document separator line: --- alone or followed by a
// comment.
var docSep = regexp.MustCompile(`^---[ \t]*(#.*)?$`)

// Parse splits rendered output into documents and decodes each one.
// file names the template in errors.
func Parse(file string, rendered []byte) ([]Object, error) {
	lines := strings.Split(strings.ReplaceAll(string(rendered), "\r\n", "\n"), "\n")
	var objs []Object
	start := 0 // index of the current document's first line
	flush := func(end int) error {
		doc := lines[start:end]
		first := start + 1
		start = end + 1
		if blank(doc) {
			return nil
		}
		o, err := parseDoc(file, first, doc)
		if err != nil {
			return err
		}
		objs = append(objs, o)
		return nil
	}
	for i, l := range lines {
		if docSep.MatchString(strings.TrimRight(l, " \t")) {
			if err := flush(i); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(len(lines)); err != nil {
		return nil, err
	}
	return objs, nil
}

// blank reports whether a document holds only blank lines and comments.
func blank(doc []string) bool {
	for _, l := range doc {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// yamlLine finds the line in a YAML error message.
var yamlLine = regexp.MustCompile(`(?:yaml: )?line (\d+): `)

func parseDoc(file string, first int, doc []string) (Object, error) {
	fail := func(line int, msg string) error {
		return &Error{File: file, Line: line, Rendered: true, Msg: msg}
	}
	j, err := yaml.YAMLToJSON([]byte(strings.Join(doc, "\n")))
	if err != nil {
		msg := strings.TrimPrefix(strings.Join(strings.Fields(err.Error()), " "), "error converting YAML to JSON: ")
		line := first
		if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
			n, _ := strconv.Atoi(msg[m[2]:m[3]])
			line = first + n - 1
			msg = msg[:m[0]] + msg[m[1]:]
		}
		e := &Error{File: file, Line: line, Rendered: true, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
		if i := line - first; i >= 0 && i < len(doc) {
			e.Text = doc[i]
		}
		return Object{}, e
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Object{}, fail(first, "invalid YAML: "+err.Error())
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return Object{}, fail(first, "not a Kubernetes object: a document must be a mapping with apiVersion, kind and metadata")
	}
	o := Object{Raw: raw, Source: file, Line: first}
	if err := o.readHeader(); err != nil {
		return Object{}, fail(first, err.Error())
	}
	return o, nil
}

// readHeader fills the typed header from Raw and checks it.
func (o *Object) readHeader() error {
	var ok bool
	if o.APIVersion, ok = o.Raw["apiVersion"].(string); !ok || o.APIVersion == "" {
		return fmt.Errorf("apiVersion is missing or not a string")
	}
	if o.Kind, ok = o.Raw["kind"].(string); !ok || o.Kind == "" {
		return fmt.Errorf("kind is missing or not a string")
	}
	if o.Kind == "List" {
		return fmt.Errorf("kind %s: put each object in its own document (separate them with ---)", o.Kind)
	}
	meta, ok := o.Raw["metadata"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: metadata is missing or not a mapping", o.Kind)
	}
	if o.Metadata.Name, ok = meta["name"].(string); !ok || o.Metadata.Name == "" {
		if _, gen := meta["generateName"]; gen {
			return fmt.Errorf("%s: metadata.generateName is not supported with apply: set metadata.name", o.Kind)
		}
		return fmt.Errorf("%s: metadata.name is missing or not a string", o.Kind)
	}
	if ns, present := meta["namespace"]; present {
		if o.Metadata.Namespace, ok = ns.(string); !ok {
			return fmt.Errorf("%s: metadata.namespace is not a string", o)
		}
	}
	if l, present := meta["labels"]; present && l != nil {
		lm, ok := l.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: metadata.labels is not a mapping", o)
		}
		o.Metadata.Labels = make(map[string]string, len(lm))
		for k, v := range lm {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s: label %s is not a string: quote it, e.g. %s: %q", o, k, k, fmt.Sprint(v))
			}
			if err := checkLabel(k, s); err != nil {
				return fmt.Errorf("%s: %v", o, err)
			}
			o.Metadata.Labels[k] = s
		}
	}
	return checkName(o.Kind, o.Metadata.Name)
}

// dns1035 is a DNS label that starts with a letter (Service names).
var dns1035 = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

func checkName(kind, name string) error {
	switch kind {
	case "Namespace":
		if !isDNSLabel(name) {
			return fmt.Errorf("Namespace %q: use up to 63 lowercase letters, digits and dashes", name)
		}
	case "Service":
		if len(name) > 63 || !dns1035.MatchString(name) {
			return fmt.Errorf("Service %q: use up to 63 lowercase letters, digits and dashes, starting with a letter", name)
		}
	default:
		if !isDNSSubdomain(name) {
			return fmt.Errorf("%s %q: use lowercase letters, digits, dashes and dots (a DNS name)", kind, name)
		}
	}
	return nil
}
