package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Hosting plans of azure.functionZip.hostingPlan.
const (
	HostingFlexConsumption = "flexConsumption"
	HostingConsumption     = "consumption"
	HostingPremium         = "premium"
	HostingDedicated       = "dedicated"
)

// HostingPlans lists the values of azure.functionZip.hostingPlan.
var HostingPlans = []string{HostingFlexConsumption, HostingConsumption, HostingPremium, HostingDedicated}

var azureEnvName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// validateEnvironments checks the environments lists: names, an app to
// deploy, and no environment in both.
func (a Azure) validateEnvironments() error {
	lists := []struct {
		field, app string
		envs       []string
	}{
		{"azure.functionZip", a.FunctionZip.App, a.FunctionZip.Environments},
		{"azure.functionContainer", a.FunctionContainer.App, a.FunctionContainer.Environments},
	}
	for _, l := range lists {
		if len(l.envs) > 0 && l.app == "" {
			return fmt.Errorf("%s.environments: set %s.app, the Function App those environments deploy to", l.field, l.field)
		}
		for _, e := range l.envs {
			if !azureEnvName.MatchString(e) {
				return fmt.Errorf("%s.environments: %q: name an environment (lowercase letters, digits and dashes), e.g. prod", l.field, e)
			}
		}
	}
	for _, e := range a.FunctionZip.Environments {
		if slices.Contains(a.FunctionContainer.Environments, e) {
			return fmt.Errorf("azure: environment %s is in both functionZip.environments and functionContainer.environments: keep it in one", e)
		}
	}
	return nil
}

// CheckEnvironments checks that every environment the Function Apps list
// is one of known (the environments of onepipe.yaml, dev and prod
// included), so that a misspelt name fails instead of never deploying.
func (a Azure) CheckEnvironments(known []string) error {
	known = slices.Compact(slices.Sorted(slices.Values(known)))
	for _, l := range []struct {
		field string
		envs  []string
	}{{"azure.functionZip.environments", a.FunctionZip.Environments}, {"azure.functionContainer.environments", a.FunctionContainer.Environments}} {
		for _, e := range l.envs {
			if !slices.Contains(known, e) {
				return fmt.Errorf("%s: %s is not an environment: use one of %s (or add it under environments:)", l.field, e, strings.Join(known, ", "))
			}
		}
	}
	return nil
}

// Function kinds FunctionFor returns.
const (
	FunctionZip       = "zip"
	FunctionContainer = "container"
)

// FunctionFor says which Function App environment env deploys to:
// FunctionZip, FunctionContainer, or "" when it deploys elsewhere.
func (a Azure) FunctionFor(env string) string {
	switch {
	case a.FunctionZip.App != "" && slices.Contains(a.FunctionZip.Environments, env):
		return FunctionZip
	case a.FunctionContainer.App != "" && slices.Contains(a.FunctionContainer.Environments, env):
		return FunctionContainer
	}
	return ""
}
