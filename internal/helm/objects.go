package helm

import (
	"encoding/json"
	"fmt"

	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/manifest"
)

// Objects are what onepipe reads from a release's objects.
type Objects struct {
	// Apps are the app Deployments (not those labelled component:
	// database), in order.
	Apps []kube.Workload
	// Hosts are the Ingresses' host names, in order, each once.
	Hosts []string
	// Addressed are the Ingresses and LoadBalancer Services, whose load
	// balancer address kube.AddressArgs reads.
	Addressed []kube.Workload
}

// ReleaseAnnotation is the annotation helm gives every object of a release,
// with the release's name.
const ReleaseAnnotation = "meta.helm.sh/release-name"

// ObjectsArgs prints the namespace's Deployments, Services and Ingresses as
// a JSON list (ParseObjects). onepipe reads a release's objects from the
// API server rather than with helm get manifest, whose output holds the
// chart's Secrets with their values.
func (r Release) ObjectsArgs() []string {
	return []string{"kubectl", "get", "deployments,services,ingresses", r.ns(), "-o=json"}
}

// ParseObjects reads the output of ObjectsArgs and keeps the objects of
// release.
func ParseObjects(stdout, release string) ([]manifest.Object, error) {
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal([]byte(stdout), &list); err != nil {
		return nil, fmt.Errorf("read the release's objects: %v", err)
	}
	var out []manifest.Object
	for _, item := range list.Items {
		objs, err := manifest.Parse("kubectl get", item)
		if err != nil {
			return nil, fmt.Errorf("read the release's objects: %w", err)
		}
		for _, o := range objs {
			if a, _ := kube.Lookup(o.Raw, "metadata", "annotations", ReleaseAnnotation).(string); a == release {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// Inspect finds the app Deployments, the Ingress hosts and the objects
// with a load balancer address among a release's objects.
func Inspect(objs []manifest.Object) Objects {
	var out Objects
	seen := map[string]bool{}
	for _, o := range objs {
		switch {
		case o.Kind == "Deployment" && kube.PhaseOf(o) == kube.PhaseApp:
			out.Apps = append(out.Apps, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
		case o.Kind == "Ingress":
			out.Addressed = append(out.Addressed, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
			rules, _ := kube.Lookup(o.Raw, "spec", "rules").([]any)
			for _, r := range rules {
				rule, _ := r.(map[string]any)
				if h, _ := rule["host"].(string); h != "" && !seen[h] {
					seen[h] = true
					out.Hosts = append(out.Hosts, h)
				}
			}
		case o.Kind == "Service" && kube.Lookup(o.Raw, "spec", "type") == "LoadBalancer":
			out.Addressed = append(out.Addressed, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
		}
	}
	return out
}
