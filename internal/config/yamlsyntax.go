package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// parseNode reads data as one YAML document. Syntax errors, and a second
// document after ---, come back as an *Error with the line when the YAML
// parser gives one. A document with no content yields nil.
func parseNode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, syntaxError(data, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil && len(next.Content) > 0 && next.Content[0].ShortTag() != "!!null" {
		return nil, &Error{Line: next.Line, Err: errors.New("a second document starts here (after ---): keep all settings in one document")}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError rewords the YAML parser's message, moving its line into Error.
func syntaxError(data []byte, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	switch {
	case isParserError(msg):
		line++ // the parser counts its lines from 0
	case line == 0:
		line = firstBadByteLine(data)
	}
	if last := lastLine(data); line > last {
		line = last // the end of the file: name its last line with content
	}
	if msg == "found character that cannot start any token" {
		if line == 0 {
			line = 1 // the scanner leaves out the number of the first line
		}
		if lines := strings.Split(string(data), "\n"); line <= len(lines) {
			text := lines[line-1]
			if indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]; strings.Contains(indent, "\t") {
				msg = "the line is indented with a tab: indent with spaces"
			}
		}
	}
	return &Error{Line: line, Err: fmt.Errorf("not valid YAML: %s", msg)}
}

// isParserError reports whether a message comes from the YAML parser (as
// opposed to its scanner or reader), whose line numbers start at 0.
func isParserError(msg string) bool {
	for _, p := range []string{"did not find expected ", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// lastLine is the number of the last line of data with anything but spaces.
func lastLine(data []byte) int {
	trimmed := bytes.TrimRight(data, " \t\r\n")
	return bytes.Count(trimmed, []byte("\n")) + 1
}

// firstBadByteLine is the line of the first byte the YAML reader refuses
// (a control character or invalid UTF-8), which its errors do not name; 0
// when there is none.
func firstBadByteLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			return line
		case r == '\n':
			line++
		}
		data = data[size:]
	}
	return 0
}

// decodeError words an error from sigs.k8s.io/yaml that the checker did not
// foresee, without Go type names.
func decodeError(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		given := map[string]string{"string": "text", "bool": "true or false", "array": "a list", "object": "a mapping"}[te.Value]
		if given == "" {
			given = "a number"
		}
		if te.Field == "" {
			return fmt.Errorf("the file must be a mapping of settings (app:, environments:, ...), not %s", given)
		}
		return fmt.Errorf("%s: expected %s, not %s", te.Field, expected(te.Type), given)
	}
	msg := err.Error()
	for _, prefix := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: ", "while decoding JSON: "} {
		msg = strings.ReplaceAll(msg, prefix, "")
	}
	if strings.HasPrefix(msg, "yaml: ") {
		return syntaxError(data, errors.New(strings.ReplaceAll(msg, "\n", " ")))
	}
	msg = strings.ReplaceAll(msg, "json: unknown field", "unknown field")
	return errors.New(strings.TrimPrefix(msg, "json: "))
}
