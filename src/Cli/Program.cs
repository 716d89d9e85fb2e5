Console.Error.WriteLine("edgetwin: no commands yet");
return 2;
