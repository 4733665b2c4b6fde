package config

import (
	"math"
	"reflect"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// scalarFits reports whether a scalar decodes into t the way sigs.k8s.io/yaml
// reads it (YAML 1.1: yes, no, on and off are booleans).
func scalarFits(n *yaml.Node, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String:
		return true
	case reflect.Bool:
		if isPlain(n) {
			_, ok := yaml11Bools[n.Value]
			return ok
		}
		return n.ShortTag() == "!!bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := number(n)
		if !ok || f != math.Trunc(f) {
			return false
		}
		if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
			return f >= 0 && !reflect.Zero(t).OverflowUint(uint64(f)) && f < math.MaxUint64
		}
		return f >= math.MinInt64 && f < math.MaxInt64 && !reflect.Zero(t).OverflowInt(int64(f))
	case reflect.Float32, reflect.Float64:
		_, ok := number(n)
		return ok
	}
	return false
}

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
}

// number is the value of an int or float scalar.
func number(n *yaml.Node) (float64, bool) {
	switch n.ShortTag() {
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(i), true
		}
		if u, err := strconv.ParseUint(s, 0, 64); err == nil {
			return float64(u), true
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

// readAs names what YAML 1.1 makes of a plain scalar that is not text.
func readAs(n *yaml.Node) string {
	if b, ok := yaml11Bools[n.Value]; ok {
		return strconv.FormatBool(b)
	}
	if isNull(n) {
		return "null"
	}
	return "a number"
}

// deref follows an alias (*name) to its anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// isPlain reports whether a scalar is written without quotes, block style or
// an explicit tag: one whose type YAML guesses from its text.
func isPlain(n *yaml.Node) bool {
	const notPlain = yaml.TaggedStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	return n.Kind == yaml.ScalarNode && n.Style&notPlain == 0
}
