; Inno Setup script: the Windows installer of NEASCN Desktop.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\neascn.iss
;
; Input: the folder dist\neascn-desktop\ built by build.spec (two executables:
; neascn-desktop.exe, windowed, and neascn.exe, the console CLI).  Output:
; dist\neascn-desktop-<version>-setup.exe.  Installs per user by default (no
; administrator rights on a field laptop), registers the .neascn file type
; (double-click opens the package in the Inbox) and a Start-menu entry.
; Signing: see docs/bundle.md (sign the executables before, the setup after).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{5B0E1C2A-8D0F-4C39-9E64-6A3D2F1B7C11}
AppName=NEASCN Desktop
AppVersion={#AppVersion}
AppPublisher=NEASCN
DefaultDirName={autopf}\NEASCN Desktop
DefaultGroupName=NEASCN Desktop
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=neascn-desktop-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\neascn.ico
UninstallDisplayIcon={app}\neascn-desktop.exe
ChangesAssociations=yes
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ko"; MessagesFile: "compiler:Languages\Korean.isl"
Name: "ja"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "ru"; MessagesFile: "compiler:Languages\Russian.isl"

[Files]
Source: "..\..\dist\neascn-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\NEASCN Desktop"; Filename: "{app}\neascn-desktop.exe"
Name: "{autodesktop}\NEASCN Desktop"; Filename: "{app}\neascn-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; The .neascn file type, for the installing user (HKCU) or all users (HKLM): {autoclasses}.
Root: HKA; Subkey: "Software\Classes\.neascn"; ValueType: string; ValueName: ""; ValueData: "NEASCN.Package"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.neascn"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-neascn-package"
Root: HKA; Subkey: "Software\Classes\NEASCN.Package"; ValueType: string; ValueName: ""; ValueData: "NEASCN package"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\NEASCN.Package\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\neascn-desktop.exe,0"
Root: HKA; Subkey: "Software\Classes\NEASCN.Package\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\neascn-desktop.exe"" ""%1"""

[Run]
Filename: "{app}\neascn-desktop.exe"; Description: "{cm:LaunchProgram,NEASCN Desktop}"; Flags: nowait postinstall skipifsilent
