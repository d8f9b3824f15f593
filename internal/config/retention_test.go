package config

import (
	"strings"
	"testing"
	"time"
)

// TestRetentionSettings: the defaults are a year for mail bodies, 90 days for delivery attempts and 30
// for expired sessions, swept hourly; days and durations both parse, 0 keeps forever, and a bad
// value is refused naming its setting.
func TestRetentionSettings(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MailBodyRetention != 365*day || c.MailAttemptRetention != 90*day || c.SessionRetention != 30*day || c.RetentionInterval != time.Hour {
		t.Errorf("defaults = %v, %v, %v, every %v", c.MailBodyRetention, c.MailAttemptRetention, c.SessionRetention, c.RetentionInterval)
	}
	c, err = load(t, map[string]string{"MIASTA_MAIL_BODY_RETENTION": "0", "MIASTA_MAIL_ATTEMPT_RETENTION": "720h", "MIASTA_SESSION_RETENTION": "7d", "MIASTA_RETENTION_INTERVAL": "10m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.MailBodyRetention != 0 || c.MailAttemptRetention != 30*day || c.SessionRetention != 7*day || c.RetentionInterval != 10*time.Minute {
		t.Errorf("set = %v, %v, %v, every %v", c.MailBodyRetention, c.MailAttemptRetention, c.SessionRetention, c.RetentionInterval)
	}
	for env, setting := range map[string]string{
		"MIASTA_MAIL_BODY_RETENTION":    "-mail-body-retention",
		"MIASTA_MAIL_ATTEMPT_RETENTION": "-mail-attempt-retention",
		"MIASTA_SESSION_RETENTION":      "-session-retention",
		"MIASTA_RETENTION_INTERVAL":     "-retention-interval",
	} {
		for _, bad := range []string{"-1d", "a year", "-5h"} {
			if _, err := load(t, map[string]string{env: bad}); err == nil || !strings.Contains(err.Error(), setting) {
				t.Errorf("%s=%q: err = %v; want a refusal naming %s", env, bad, err, setting)
			}
		}
	}
}
