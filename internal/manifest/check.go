package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// clusterScoped are the kinds that live outside namespaces.
var clusterScoped = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"PersistentVolume": true, "StorageClass": true, "CustomResourceDefinition": true,
	"IngressClass": true, "PriorityClass": true, "ValidatingWebhookConfiguration": true,
	"MutatingWebhookConfiguration": true, "APIService": true,
}

// ClusterScoped reports whether objects of kind live outside namespaces.
func ClusterScoped(kind string) bool { return clusterScoped[kind] }

// Check looks at the objects together: each namespaced object is in the
// environment's namespace (or names none and gets it at apply time), no
// object appears twice, and every reference to the app's Secret names a key
// the environment has.
func Check(objs []Object, v Values) error {
	seen := map[string]Object{}
	for _, o := range objs {
		fail := func(format string, args ...any) error {
			return &Error{File: o.Source, Line: o.Line, Rendered: true, Msg: o.String() + ": " + fmt.Sprintf(format, args...)}
		}
		ns := o.Metadata.Namespace
		if !ClusterScoped(o.Kind) && ns != "" && v.Namespace != "" && ns != v.Namespace {
			return fail("metadata.namespace %q is not the environment's namespace %q: remove it or write {{ .Namespace }}", ns, v.Namespace)
		}
		if ClusterScoped(o.Kind) {
			ns = ""
		} else if ns == "" {
			ns = v.Namespace
		}
		key := o.Kind + "/" + ns + "/" + o.Metadata.Name
		if prev, dup := seen[key]; dup {
			return fail("defined twice: also at %s rendered line %d", prev.Source, prev.Line)
		}
		seen[key] = o
		if err := checkSecretRefs(o.Raw, v); err != nil {
			return fail("%v", err)
		}
	}
	return nil
}

// checkSecretRefs walks an object for secretKeyRef and secretRef entries
// that point at the app's Secret.
func checkSecretRefs(node any, v Values) error {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["secretKeyRef"].(map[string]any); ok && ref["name"] == v.SecretObjectName() {
			key, _ := ref["key"].(string)
			if optional, _ := ref["optional"].(bool); !optional && !slices.Contains(v.SecretNames, key) {
				return fmt.Errorf("secret key %q of %s is not among the environment's secrets (%s): add it under environments.%s.secrets in onepipe.yaml",
					key, v.SecretObjectName(), orNone(v.SecretNames), v.Environment)
			}
		}
		if ref, ok := n["secretRef"].(map[string]any); ok && ref["name"] == v.SecretObjectName() && len(v.SecretNames) == 0 {
			if optional, _ := ref["optional"].(bool); !optional {
				return fmt.Errorf("envFrom names %s but environment %s has no secrets: add them under environments.%s.secrets in onepipe.yaml",
					v.SecretObjectName(), v.Environment, v.Environment)
			}
		}
		for _, k := range sortedKeys(n) {
			if err := checkSecretRefs(n[k], v); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range n {
			if err := checkSecretRefs(c, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
