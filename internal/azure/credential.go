package azure

import (
	"fmt"

	"github.com/onepipe/onepipe/internal/config"
)

// NewCredential is the service principal of the azure section: tenantId and
// clientId with clientSecret, or a CI's federatedToken. secret resolves
// their references (env:NAME, file:PATH) before any call, so a missing one
// fails before any work.
func NewCredential(a config.Azure, secret func(field, ref string) (string, error)) (*Credential, error) {
	cred := &Credential{TenantID: a.TenantID, ClientID: a.ClientID, LoginURL: a.LoginURL}
	switch {
	case a.ClientSecret != "":
		v, err := secret("azure.clientSecret", a.ClientSecret)
		if err != nil {
			return nil, err
		}
		cred.ClientSecret = PlainSecret(v)
	case a.FederatedToken != "":
		v, err := secret("azure.federatedToken", a.FederatedToken)
		if err != nil {
			return nil, err
		}
		cred.FederatedToken = PlainSecret(v)
	default:
		return nil, fmt.Errorf("azure: set clientSecret or federatedToken (env:NAME or file:PATH) in %s", config.FileName)
	}
	return cred, nil
}
