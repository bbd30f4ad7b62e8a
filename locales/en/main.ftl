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
cases-empty = No cases to show.

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
error-too-large = The file is too large. Files of at most 20 MiB are accepted.
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

cases-new-button = New case
cases-new-title = Register a new case
cases-edit-title = Edit case { $id }
cases-edit-plain = Edit case
cases-edit-button = Edit
cases-history-link = History of changes
cases-close-button = Close the case
cases-reopen-button = Reopen the case
cases-search-label = Name or case ID
cases-search-hint = e.g. Mohammed Ali, or CP-2026-000012
cases-filter-status = Status
cases-filter-sex = Sex
cases-filter-risk = Risk level
cases-filter-age-from = Age from
cases-filter-age-to = Age to
cases-filter-flagged = Flagged only
cases-flagged = Flagged
cases-count = { $count ->
    [one] One case
   *[other] { $count } cases
}
cases-col-id = Case ID
cases-col-name = Name
cases-col-age = Age
cases-col-registered = Registered
cases-col-updated = Last updated
cases-col-sex = Sex
cases-col-risk = Risk
cases-col-status = Status
cases-col-owner = Caseworker
filter-any = Any
filter-apply = Apply
filter-clear = Clear filters
status-open = Open
status-closed = Closed
pager-label = Pages
pager-previous = Previous page
pager-next = Next page
pager-position = Page { $page } of { $pages }
form-has-errors = Some of the information is not valid. The fields concerned are marked below.
subform-add = Add another
subform-remove = Remove this entry
subform-none = Nothing recorded yet.
cancel-link = Cancel
value-yes = Yes
value-no = No
conflict-title = Someone else changed this case while you were editing
conflict-explain = Their changes are kept. Your changes are shown in the form below on top of theirs. Check the fields marked as changed, then save again.
conflict-field = Field
conflict-by = Changed by
conflict-now = Value now
conflict-yours = Your value
flags-title = Flags
flags-reason = Reason for flagging
flags-add-button = Flag
flags-unflag-reason = Reason for removing the flag
flags-unflag-button = Remove flag
flags-removed = Flag removed
notes-add-title = Add a note
notes-subject = Subject
notes-text = Note
notes-add-button = Add note
history-title = History of changes
history-back = Back to the case
history-from = Before
history-to = After
history-create = Registered
history-update = Changed
history-disable = Disabled
history-flag = Flagged
history-unflag = Flag removed
validation-required = This field is required.
validation-not_text = Enter text here.
validation-too_long = This is too long.
validation-unknown_option = Choose one of the options offered.
validation-not_list = Choose from the options offered.
validation-not_boolean = Tick or untick this box.
validation-out_of_range = This number is out of the allowed range.
validation-not_a_number = Enter a number.
validation-in_future = This date cannot be in the future.
validation-not_a_date = Enter a date.
validation-not_object = This entry is not valid.
history-record-state = Record state

admin-edit = Edit
admin-problem-required = This is required.
admin-problem-too-long = This is too long.
admin-problem-control-characters = This contains characters that cannot be shown.
admin-problem-unknown-language = This language is not offered.
admin-problem-invalid-code = A code has at most 64 characters and no control characters.
admin-problem-taken = This code is already used.
admin-problem-too-deep = No place can be under a place of admin level 5.
admin-problem-unknown-location = There is no place with this code.
admin-problem-wrong-level = The place above must be exactly one admin level up.

admin-locations-title = Locations
locations-count = { $count ->
    [one] One place
   *[other] { $count } places
}
locations-empty = No places yet. Add a country, or import an HXL file.
locations-add-country = Add a country
locations-add-under = Add a place under it
locations-disabled = disabled
locations-more = { $count ->
    [one] Show the place under it
   *[other] Show the { $count } places under it
}
locations-whole-tree = Show the whole tree
locations-subtree = Places under { $id }
locations-new-title = Add a place
locations-edit-title = Edit place { $id }
locations-field-code = Code
locations-field-code-hint = The place code (P-code), e.g. XX0101. It cannot be changed later: records keep it.
locations-field-parent = Under (code of the place one level up)
locations-field-parent-hint = Empty for a country. A place can be moved only under another place of the same level as its current parent.
locations-field-type = Type
locations-field-type-hint = e.g. province, district
locations-field-names = Names
locations-state-disabled = This place is disabled.
locations-disable-hint = A disabled place is no longer offered on forms; records that hold it keep it. Places are never deleted.
locations-disable-button = Disable this place
locations-enable-button = Enable this place again
locations-import-title = Import places from an HXL file
locations-import-hint = A CSV file whose first row (or second, after a row of column titles) holds HXL tags: #country+code, #adm1+code to #adm5+code, and names such as #adm1+name, #adm1+name+i_fr or #adm1+name+i_ar. At most 20 MiB. If the file has any problem, nothing is stored.
locations-import-file = HXL file (CSV)
locations-import-button = Import
locations-import-no-file = Choose a file to import.
locations-import-done = The file was imported.
locations-import-created = Places added: { $count }
locations-import-updated = Places with changed names: { $count }
locations-import-unchanged = Places already up to date: { $count }
locations-import-failed = Nothing was imported: the file has the problems listed below. Correct them and import the whole file again.
locations-report-where = Where
locations-report-problem = Problem
locations-back = Back to the locations

hxl-at-row = row { $row }
hxl-at-row-column = row { $row }, { $tag }
hxl-empty = The file is empty.
hxl-not-utf8 = The file is not UTF-8 text. Save it as "CSV UTF-8" and import it again.
hxl-unreadable = This row cannot be read as CSV.
hxl-no-hashtag-row = There is no HXL hashtag row: the first row, or the second after a row of column titles, must hold the tags, such as #country+code.
hxl-no-location-columns = No column has a location tag (#country+code, #adm1+code to #adm5+code).
hxl-no-data-rows = The file describes no places: no row after the hashtag row has a code.
hxl-unknown-tag = Column { $column } has a tag Casekeep does not know. Use #country or #adm1 to #adm5 with +code or +name, or remove the column.
hxl-unsupported-language = Column { $column }: names can only be in these languages: { $languages }.
hxl-repeated-column = Column { $column } repeats the tag of column { $first }.
hxl-no-code-column = These names have no code column at the same level.
hxl-missing-parent-level = The file has no { $parent } column, so these places have no parent.
hxl-missing-code = A name is given here without a code.
hxl-missing-parent-code = { $code } needs the code of the place above it in this row.
hxl-bad-code = A code has at most { $max } characters and no control characters.
hxl-bad-name = A name has at most { $max } characters and no control characters.
hxl-other-level-row = { $code } is at another admin level in row { $other }.
hxl-other-level-db = { $code } is already in Casekeep at another admin level.
hxl-broken-parent-row = Broken parent: { $code } is under { $parent } in row { $other }.
hxl-broken-parent-db = Broken parent: { $code } is under { $parent } in Casekeep. If it really moved, move it in Casekeep first.
hxl-name-differs = { $code } has another name in row { $other }.
hxl-too-many = … and { $count } more problems, not listed.
