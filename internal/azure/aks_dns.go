package azure

import "regexp"

var (
	// dnsPrefix is the rule AKS holds a cluster's DNS prefix to: 1-54
	// letters, digits and hyphens, starting and ending with a letter or
	// digit (learn.microsoft.com/azure/aks, "DNS name prefix"; the
	// managedClusters PUT refuses others with DnsPrefixInvalid).
	dnsPrefix = regexp.MustCompile(`^[a-zA-Z0-9]([-a-zA-Z0-9]{0,52}[a-zA-Z0-9])?$`)
	notDNS    = regexp.MustCompile(`[^A-Za-z0-9-]`)
)

// DefaultDNSPrefix is the DNS prefix az aks create gives a cluster without
// --dns-name-prefix (azure-cli, src/azure-cli/azure/cli/command_modules/acs/custom.py,
// _get_default_dns_prefix): the first 10 letters, digits and hyphens of the
// cluster's name (starting with a letter: "a" is put first otherwise), the
// first 16 of the resource group's, and the first 6 characters of the
// subscription ID, joined by hyphens. Unlike the cluster's name, it always
// follows the DNS-prefix rule (an AKS name may hold _), and the resource
// group and subscription keep two clusters of one name apart.
func DefaultDNSPrefix(name, group, subscription string) string {
	namePart := first(notDNS.ReplaceAllString(name, ""), 10)
	if namePart == "" || !isLetter(namePart[0]) {
		namePart = first("a"+namePart, 10)
	}
	groupPart := first(notDNS.ReplaceAllString(group, ""), 16)
	return namePart + "-" + groupPart + "-" + first(subscription, 6)
}

func first(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }
