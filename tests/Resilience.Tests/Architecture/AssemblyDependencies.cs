using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Resilience.Tests.Architecture;

/// <summary>
/// Which source folder of <c>src/Resilience</c> each type of the compiled assembly comes from, and which types of the
/// same assembly each one uses: read from the IL (every call, field access, allocation, cast, token), every signature
/// (fields, methods, locals, generic instantiations), base types, interfaces and attributes. A type's folder comes
/// from the portable PDB (the files its methods were compiled from), so a builder extension in namespace
/// <c>Resilience</c> still belongs to the folder it lives in; types without sequence points fall back to their namespace.
/// </summary>
internal sealed class AssemblyDependencies
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly MetadataReader _metadata;
    private readonly PEReader _pe;
    private readonly Dictionary<TypeDefinitionHandle, string> _folders = [];

    private AssemblyDependencies(PEReader pe, MetadataReader metadata, MetadataReader pdb, IReadOnlySet<string> folders)
    {
        _pe = pe;
        _metadata = metadata;
        foreach (var handle in metadata.TypeDefinitions)
        {
            _folders[handle] = FolderFromSource(handle, pdb, folders) ?? FolderFromNamespace(handle, folders);
        }
    }

    public static AssemblyDependencies Load(Assembly assembly, IReadOnlySet<string> folders)
    {
        var pe = new PEReader(File.OpenRead(assembly.Location));
        var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(Path.ChangeExtension(assembly.Location, ".pdb")));
        return new AssemblyDependencies(pe, pe.GetMetadataReader(), pdbProvider.GetMetadataReader(), folders);
    }

    /// <summary>Every use of a type of one folder by a type of another: (from type, its folder, used type, its folder).</summary>
    public IEnumerable<(string From, string FromFolder, string To, string ToFolder)> CrossFolderUses()
    {
        foreach (var handle in _metadata.TypeDefinitions)
        {
            var fromFolder = _folders[handle];
            foreach (var used in UsedBy(handle))
            {
                var toFolder = _folders[used];
                if (!string.Equals(fromFolder, toFolder, StringComparison.Ordinal))
                {
                    yield return (Name(handle), fromFolder, Name(used), toFolder);
                }
            }
        }
    }

    private HashSet<TypeDefinitionHandle> UsedBy(TypeDefinitionHandle handle)
    {
        var used = new HashSet<TypeDefinitionHandle>();
        var provider = new Collector(this);
        var type = _metadata.GetTypeDefinition(handle);
        AddEntity(type.BaseType, used, provider);
        foreach (var i in type.GetInterfaceImplementations())
        {
            AddEntity(_metadata.GetInterfaceImplementation(i).Interface, used, provider);
        }

        AddAttributes(type.GetCustomAttributes(), used, provider);
        foreach (var f in type.GetFields())
        {
            var field = _metadata.GetFieldDefinition(f);
            used.UnionWith(field.DecodeSignature(provider, null));
            AddAttributes(field.GetCustomAttributes(), used, provider);
        }

        foreach (var p in type.GetProperties())
        {
            AddAttributes(_metadata.GetPropertyDefinition(p).GetCustomAttributes(), used, provider);
        }

        foreach (var m in type.GetMethods())
        {
            var method = _metadata.GetMethodDefinition(m);
            var signature = method.DecodeSignature(provider, null);
            used.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                used.UnionWith(parameter);
            }

            AddAttributes(method.GetCustomAttributes(), used, provider);
            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(_pe.GetMethodBody(method.RelativeVirtualAddress), used, provider);
            }
        }

        used.Remove(handle);
        return used;
    }

    private void AddBody(MethodBodyBlock body, HashSet<TypeDefinitionHandle> used, Collector provider)
    {
        if (!body.LocalSignature.IsNil)
        {
            foreach (var local in _metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
            {
                used.UnionWith(local);
            }
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }

            switch (OperandTypes[code])
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()), used, provider);
                    break;
                case OperandType.InlineSwitch:
                    // Read the count first: "Offset += 4 * ReadInt32()" would read Offset before the count moved it.
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void AddAttributes(CustomAttributeHandleCollection attributes, HashSet<TypeDefinitionHandle> used, Collector provider)
    {
        foreach (var a in attributes)
        {
            AddEntity(_metadata.GetCustomAttribute(a).Constructor, used, provider);
        }
    }

    private void AddEntity(EntityHandle handle, HashSet<TypeDefinitionHandle> used, Collector provider)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                used.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                used.UnionWith(_metadata.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null));
                break;
            case HandleKind.MethodDefinition:
                used.Add(_metadata.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                used.Add(_metadata.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var member = _metadata.GetMemberReference((MemberReferenceHandle)handle);
                AddEntity(member.Parent, used, provider);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    var signature = member.DecodeMethodSignature(provider, null);
                    used.UnionWith(signature.ReturnType);
                    foreach (var parameter in signature.ParameterTypes)
                    {
                        used.UnionWith(parameter);
                    }
                }
                else
                {
                    used.UnionWith(member.DecodeFieldSignature(provider, null));
                }

                break;
            case HandleKind.MethodSpecification:
                var spec = _metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(spec.Method, used, provider);
                foreach (var argument in spec.DecodeSignature(provider, null))
                {
                    used.UnionWith(argument);
                }

                break;
        }
    }

    private string? FolderFromSource(TypeDefinitionHandle handle, MetadataReader pdb, IReadOnlySet<string> folders)
    {
        const string Root = "/src/Resilience/";
        foreach (var m in _metadata.GetTypeDefinition(handle).GetMethods())
        {
            var debug = pdb.GetMethodDebugInformation(m.ToDebugInformationHandle());
            if (debug.Document.IsNil)
            {
                continue;
            }

            var path = pdb.GetString(pdb.GetDocument(debug.Document).Name).Replace('\\', '/');
            var at = path.LastIndexOf(Root, StringComparison.Ordinal);
            if (at < 0)
            {
                continue; // generated source (obj/), judged by namespace
            }

            var relative = path[(at + Root.Length)..];
            if (relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue; // source generated into obj/ (a JsonSerializerContext, LoggerMessage), judged by another method or the namespace
            }

            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            var folder = slash < 0 ? string.Empty : relative[..slash];
            return folders.Contains(folder) ? folder : string.Empty;
        }

        var declaring = _metadata.GetTypeDefinition(handle).GetDeclaringType();
        return declaring.IsNil ? null : FolderFromSource(declaring, pdb, folders);
    }

    private string FolderFromNamespace(TypeDefinitionHandle handle, IReadOnlySet<string> folders)
    {
        var type = _metadata.GetTypeDefinition(handle);
        while (!type.GetDeclaringType().IsNil)
        {
            type = _metadata.GetTypeDefinition(type.GetDeclaringType());
        }

        var parts = _metadata.GetString(type.Namespace).Split('.');
        return parts.Length > 1 && folders.Contains(parts[1]) ? parts[1] : string.Empty;
    }

    private string Name(TypeDefinitionHandle handle)
    {
        var type = _metadata.GetTypeDefinition(handle);
        var name = _metadata.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? $"{_metadata.GetString(type.Namespace)}.{name}" : $"{Name(declaring)}+{name}";
    }

    /// <summary>Decodes signatures into the set of this assembly's types they mention.</summary>
    private sealed class Collector(AssemblyDependencies owner) : ISignatureTypeProvider<ImmutableHashSet<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableHashSet<TypeDefinitionHandle> None = [];

        public ImmutableHashSet<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;

        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;

        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
            => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableHashSet<TypeDefinitionHandle> GetSZArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableHashSet<TypeDefinitionHandle> GetArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableHashSet<TypeDefinitionHandle> GetByReferenceType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableHashSet<TypeDefinitionHandle> GetPointerType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableHashSet<TypeDefinitionHandle> GetPinnedType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableHashSet<TypeDefinitionHandle> GetGenericInstantiation(ImmutableHashSet<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableHashSet<TypeDefinitionHandle>> typeArguments)
            => typeArguments.Aggregate(genericType, static (all, argument) => all.Union(argument));

        public ImmutableHashSet<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => None;

        public ImmutableHashSet<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => None;

        public ImmutableHashSet<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableHashSet<TypeDefinitionHandle>> signature)
            => signature.ParameterTypes.Aggregate(signature.ReturnType, static (all, p) => all.Union(p));

        public ImmutableHashSet<TypeDefinitionHandle> GetModifiedType(ImmutableHashSet<TypeDefinitionHandle> modifier, ImmutableHashSet<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;

        public override string ToString() => owner.GetType().Name;
    }
}
