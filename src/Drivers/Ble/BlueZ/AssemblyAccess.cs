using System.Runtime.CompilerServices;

// Tmds.DBus generates its proxies at run time in this dynamic assembly; it must see the internal
// BlueZ interfaces so that they need not be public API of EdgeTwin.Drivers.
[assembly: InternalsVisibleTo(Tmds.DBus.Connection.DynamicAssemblyName)]
