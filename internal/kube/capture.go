package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/onepipe/onepipe/internal/config"
)

// noEntry matches text/template's missing map key error.
var noEntry = regexp.MustCompile(`map has no entry for key "(.*)"$`)

// Expand fills {{.name}} references in a smoke check's field from vars. A
// reference to a value not captured (yet) is an error naming it.
func Expand(field, s string, vars map[string]string) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	t, err := template.New(field).Option("missingkey=error").Parse(s)
	if err != nil {
		return "", fmt.Errorf("%s: %s", field, strings.Join(strings.Fields(err.Error()), " "))
	}
	var b strings.Builder
	if err := t.Execute(&b, vars); err != nil {
		names := make([]string, 0, len(vars))
		for k := range vars {
			names = append(names, k)
		}
		sort.Strings(names)
		msg := strings.Join(strings.Fields(err.Error()), " ")
		if m := noEntry.FindStringSubmatch(msg); m != nil {
			msg = "{{." + m[1] + "}} has no value"
		}
		return "", fmt.Errorf("%s: %s (known values: %s; capture others in an earlier check)", field, msg, strings.Join(names, ", "))
	}
	return b.String(), nil
}

// Capture reads named values from a JSON response by dotted path
// (config.ParseJSONPath). Strings come as they are, numbers and booleans in
// JSON form, objects and arrays as JSON.
func Capture(body []byte, paths map[string]string) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("capture: the response is not JSON: %v", err)
	}
	out := make(map[string]string, len(paths))
	names := make([]string, 0, len(paths))
	for k := range paths {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		segs, err := config.ParseJSONPath(paths[name])
		if err != nil {
			return nil, fmt.Errorf("capture %s: %w", name, err)
		}
		v, err := lookup(doc, segs)
		if err != nil {
			return nil, fmt.Errorf("capture %s (%s): %w", name, paths[name], err)
		}
		out[name] = v
	}
	return out, nil
}

func lookup(doc any, segs []string) (string, error) {
	cur := doc
	for i, seg := range segs {
		at := strings.Join(segs[:i+1], ".")
		switch n := cur.(type) {
		case map[string]any:
			v, ok := n[seg]
			if !ok {
				return "", fmt.Errorf("the response has no %s", at)
			}
			cur = v
		case []any:
			idx, err := strconv.Atoi(seg)
			if err != nil || idx < 0 || idx >= len(n) {
				return "", fmt.Errorf("%s: the array has %d items; index it with 0..%d", at, len(n), len(n)-1)
			}
			cur = n[idx]
		default:
			parent := "the response"
			if i > 0 {
				parent = strings.Join(segs[:i], ".")
			}
			return "", fmt.Errorf("the response has no %s: %s is not an object or array", at, parent)
		}
	}
	switch v := cur.(type) {
	case nil:
		return "", fmt.Errorf("the response's %s is null", strings.Join(segs, "."))
	case string:
		return v, nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
}

// excerpt is the start of a response body on one line, captured values hidden.
func excerpt(body []byte, secrets []string) string {
	s := string(body)
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[captured]")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
