package kube

import (
	"strings"
	"testing"

	"github.com/onepipe/onepipe/internal/manifest"
)

func obj(kind, name string, labels ...string) Object {
	o := Object{Kind: kind, APIVersion: "v1", Metadata: manifest.Metadata{Name: name, Labels: map[string]string{}},
		Raw: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name}}}
	for i := 0; i+1 < len(labels); i += 2 {
		o.Metadata.Labels[labels[i]] = labels[i+1]
	}
	return o
}

func TestPhaseOf(t *testing.T) {
	db := []string{ComponentLabel, ComponentDatabase}
	mig := []string{ComponentLabel, ComponentMigration}
	tests := []struct {
		o    Object
		want Phase
	}{
		{obj("Namespace", "a"), PhaseNamespace},
		{obj("Namespace", "a", mig...), PhaseNamespace},
		{obj("CustomResourceDefinition", "a"), PhaseNamespace},
		{obj("ServiceAccount", "a"), PhaseAccess},
		{obj("RoleBinding", "a"), PhaseAccess},
		{obj("ResourceQuota", "a"), PhaseAccess},
		{obj("LimitRange", "a"), PhaseAccess},
		{obj("ConfigMap", "a"), PhaseConfig},
		{obj("ConfigMap", "a", db...), PhaseConfig},
		{obj("Secret", "a"), PhaseSecret},
		{obj("PersistentVolumeClaim", "a", db...), PhaseStorage},
		{obj("StatefulSet", "pg", db...), PhaseDatabase},
		{obj("Deployment", "redis", db...), PhaseDatabase},
		{obj("Service", "pg", db...), PhaseDatabase},
		{obj("Job", "migrate"), PhaseMigration},
		{obj("Pod", "migrate", mig...), PhaseMigration},
		{obj("Deployment", "app"), PhaseApp},
		{obj("Deployment", "app", ComponentLabel, "app"), PhaseApp},
		{obj("StatefulSet", "app"), PhaseApp},
		{obj("CronJob", "nightly"), PhaseApp},
		{obj("Service", "app"), PhaseService},
		{obj("Ingress", "app"), PhaseIngress},
		{obj("HorizontalPodAutoscaler", "app"), PhaseOther},
		{obj("Certificate", "tls", db...), PhaseOther},
	}
	for _, tt := range tests {
		if got := PhaseOf(tt.o); got != tt.want {
			t.Errorf("PhaseOf(%s %v) = %s, want %s", tt.o, tt.o.Metadata.Labels, got, tt.want)
		}
	}
}

func TestOrder(t *testing.T) {
	db := []string{ComponentLabel, ComponentDatabase}
	tests := []struct {
		name string
		in   []Object
		want string // phases separated by |, objects by space
	}{
		{"empty", nil, ""},
		{"flask-like, shuffled",
			[]Object{obj("Ingress", "app"), obj("Service", "app"), obj("Deployment", "app"), obj("Job", "migrate-1"),
				obj("Service", "pg", db...), obj("StatefulSet", "pg", db...), obj("Secret", "extra"), obj("ConfigMap", "cfg"), obj("Namespace", "ns")},
			"Namespace/ns|ConfigMap/cfg|Secret/extra|Service/pg StatefulSet/pg|Job/migrate-1|Deployment/app|Service/app|Ingress/app"},
		{"stable within a phase",
			[]Object{obj("ConfigMap", "z"), obj("ConfigMap", "a"), obj("ServiceAccount", "sa"), obj("ConfigMap", "m")},
			"ServiceAccount/sa|ConfigMap/z ConfigMap/a ConfigMap/m"},
		{"unknown kinds last",
			[]Object{obj("Widget", "w"), obj("HorizontalPodAutoscaler", "h"), obj("Ingress", "i"), obj("PersistentVolumeClaim", "data")},
			"PersistentVolumeClaim/data|Ingress/i|Widget/w HorizontalPodAutoscaler/h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]Object(nil), tt.in...)
			var phases []string
			for _, p := range Order(tt.in) {
				var names []string
				for _, o := range p {
					names = append(names, o.String())
				}
				phases = append(phases, strings.Join(names, " "))
			}
			if got := strings.Join(phases, "|"); got != tt.want {
				t.Errorf("Order:\n got %s\nwant %s", got, tt.want)
			}
			for i := range in {
				if in[i].String() != tt.in[i].String() {
					t.Fatalf("Order changed its input")
				}
			}
		})
	}
}

func TestPhaseString(t *testing.T) {
	if PhaseDatabase.String() != "database" || PhaseOther.String() != "other" || Phase(99).String() != "unknown" {
		t.Errorf("Phase names: %s %s %s", PhaseDatabase, PhaseOther, Phase(99))
	}
}
