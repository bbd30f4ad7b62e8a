# Casekeep user interface, English (the reference catalogue: every other language has the same keys).

skip-to-content = Skip to content
nav-label = Main navigation
nav-home = Home
nav-cases = Cases
nav-account = My account
nav-sign-out = Sign out

sign-in-title = Sign in
sign-in-button = Sign in
field-username = User name
field-password = Password
field-full-name = Full name
field-role = Role
field-language = Language
language-label = Language
language-browser = As my browser says
save-button = Save

password-title = Change your password
password-required-notice = You signed in with a one-time password. Choose your own password to continue.
field-current-password = Current password
field-new-password = New password
field-confirm-password = Repeat the new password
password-hint = At least { $min } characters, not containing your user name.
password-button = Change password
password-mismatch = The two new passwords are not the same.
password-current-wrong = The current password is wrong.
password-same-as-old = The new password must differ from the current one.
password-too-weak = The new password must have at least { $min } characters and must not contain your user name.

home-title = Home
home-welcome = Welcome, { $name }
home-cases-text = Find, register and follow up the cases you work on.
home-account-text = Your password and language.

cases-title = Cases
cases-empty = There are no cases to show yet.

account-title = My account
account-change-password = Change my password

error-title = Something went wrong
error-home-link = Back to the home page
error-bad-request = The request could not be understood.
error-unauthenticated = Sign in to continue.
error-invalid-credentials = Wrong user name or password.
error-account-locked = Too many failed sign-ins: this account is locked for a while. Try again later or ask an administrator.
error-password-change-required = Change your one-time password first.
error-forbidden = You do not have permission to do this.
error-csrf = This form has expired or did not come from Casekeep. Reload the page and try again.
error-not-found = This page does not exist.
error-conflict = Someone else changed this in the meantime.
error-invalid = Some of the information is not valid.
error-rate-limited = Too many attempts. Wait a minute and try again.
error-unavailable = Casekeep is not available right now. Try again in a few minutes.
error-internal = An internal error occurred. It has been logged; if it happens again, tell your administrator.

role-superuser = Superuser
role-system-admin = System administrator
role-caseworker = Caseworker
role-case-manager = Case manager
role-referral-recipient = Referral recipient
role-dpo = Data-protection officer
role-auditor = Auditor
