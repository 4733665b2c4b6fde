// Package kube turns rendered manifests into a deploy plan: the order objects
// are applied in, the kubectl commands (as argv slices) that apply them, wait
// for the database, migration and rollout, and what to do when a step fails
// (roll the app back to its previous revision). It runs nothing itself: the
// deploy stage runs the steps in a kubectl container. The smoke checks
// (RunSmoke) are plain HTTP from Go.
package kube

import (
	"sort"

	"github.com/onepipe/onepipe/internal/manifest"
)

// Object is a rendered Kubernetes object.
type Object = manifest.Object

// Component labels that place an object in the database or migration phase.
const (
	ComponentLabel     = "app.kubernetes.io/component"
	ComponentDatabase  = "database"
	ComponentMigration = "migration"
)

// Phase is a group of objects applied together; phases go in order.
type Phase int

// The phases, in apply order.
const (
	PhaseNamespace Phase = iota // Namespace, CustomResourceDefinition
	PhaseAccess                 // quotas, limits, service accounts, RBAC, network policies
	PhaseConfig                 // ConfigMap
	PhaseSecret                 // Secret
	PhaseStorage                // PersistentVolumeClaim, PersistentVolume, StorageClass
	PhaseDatabase               // workloads and Services labelled component: database
	PhaseMigration              // Jobs, and objects labelled component: migration
	PhaseApp                    // Deployment, StatefulSet, DaemonSet, CronJob
	PhaseService                // Service
	PhaseIngress                // Ingress, IngressClass
	PhaseOther                  // anything else (HorizontalPodAutoscaler, custom resources, ...)
)

var phaseNames = [...]string{"namespace", "access", "config", "secret", "storage", "database", "migration", "app", "service", "ingress", "other"}

// String is the phase's short name, used in file names and messages.
func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseNames) {
		return "unknown"
	}
	return phaseNames[p]
}

var kindPhase = map[string]Phase{
	"Namespace":                PhaseNamespace,
	"CustomResourceDefinition": PhaseNamespace,
	"ResourceQuota":            PhaseAccess,
	"LimitRange":               PhaseAccess,
	"ServiceAccount":           PhaseAccess,
	"Role":                     PhaseAccess,
	"RoleBinding":              PhaseAccess,
	"ClusterRole":              PhaseAccess,
	"ClusterRoleBinding":       PhaseAccess,
	"NetworkPolicy":            PhaseAccess,
	"ConfigMap":                PhaseConfig,
	"Secret":                   PhaseSecret,
	"PersistentVolumeClaim":    PhaseStorage,
	"PersistentVolume":         PhaseStorage,
	"StorageClass":             PhaseStorage,
	"Job":                      PhaseMigration,
	"Deployment":               PhaseApp,
	"StatefulSet":              PhaseApp,
	"DaemonSet":                PhaseApp,
	"CronJob":                  PhaseApp,
	"Service":                  PhaseService,
	"Ingress":                  PhaseIngress,
	"IngressClass":             PhaseIngress,
}

// databaseKinds may be labelled into the database phase.
var databaseKinds = map[string]bool{"StatefulSet": true, "Deployment": true, "Service": true}

// PhaseOf places one object.
func PhaseOf(o Object) Phase {
	switch c := o.Label(ComponentLabel); {
	case c == ComponentDatabase && databaseKinds[o.Kind]:
		return PhaseDatabase
	case c == ComponentMigration && o.Kind != "Namespace":
		return PhaseMigration
	}
	if p, ok := kindPhase[o.Kind]; ok {
		return p
	}
	return PhaseOther
}

// Order groups objects into phases, in apply order, leaving out empty
// phases. Within a phase objects keep the order they were given in.
func Order(objs []Object) [][]Object {
	sorted := append([]Object(nil), objs...)
	sort.SliceStable(sorted, func(i, j int) bool { return PhaseOf(sorted[i]) < PhaseOf(sorted[j]) })
	var out [][]Object
	for i, o := range sorted {
		if i == 0 || PhaseOf(o) != PhaseOf(sorted[i-1]) {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], o)
	}
	return out
}
